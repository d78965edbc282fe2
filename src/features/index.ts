export { extractSignals, SIGNALS, signalBody, signalText, type SignalOptions } from './registry';
export { loadRegistry, DEFAULT_REGISTRY } from './load-registry';
export type { Signal, SignalGroup, SignalDef } from './types';
export type { ImpersonationRegistry } from './registry-schema';
