/**
 * Paging cursors, shared by both stores: newest first by (receivedAt, id), so a cursor is the last
 * item's position and the next page starts strictly after it. Opaque to clients (base64url).
 */
export interface Position {
  at: number;
  id: string;
}

export class CursorError extends Error {
  readonly code = 'bad_cursor';
  constructor(message = 'cursor is not one this server issued') {
    super(message);
    this.name = this.constructor.name;
  }
}

export function encodeCursor(p: Position): string {
  return Buffer.from(`${p.at}:${p.id}`, 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string): Position {
  const s = Buffer.from(cursor, 'base64url').toString('utf8');
  const m = /^(\d{1,16}):([A-Za-z0-9_-]{1,128})$/.exec(s);
  if (!m) throw new CursorError();
  return { at: Number(m[1]), id: m[2] };
}

/** True when `p` comes after the cursor position in newest-first order. */
export function isAfter(p: Position, cursor: Position): boolean {
  return p.at < cursor.at || (p.at === cursor.at && p.id < cursor.id);
}
