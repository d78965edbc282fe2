import type { NextFunction, Request, Response } from 'express';

/** An async route handler whose rejection goes to express's error handler (errors.ts). */
export const h = (fn: (req: Request, res: Response) => Promise<void>) => (req: Request, res: Response, next: NextFunction) => void fn(req, res).catch(next);
