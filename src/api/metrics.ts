import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { ScanResult } from '../pipeline';
import type { QueueDepth } from '../queue/queues';

/**
 * Prometheus metrics of one process. A worker records scans; the API records requests and reads
 * queue depth on each scrape. Every process serves its own /metrics (ROLE=all serves both sets).
 */
export class Metrics {
  readonly registry = new Registry();
  readonly scans = new Counter({ name: 'ballotwatch_scans_total', help: 'Messages scored, by verdict and category', labelNames: ['verdict', 'category'], registers: [this.registry] });
  readonly scanSeconds = new Histogram({
    name: 'ballotwatch_scan_duration_seconds',
    help: 'Time to score one message in a worker (read raw, parse, signals, Bayes, store)',
    buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5],
    registers: [this.registry],
  });
  readonly ingest = new Counter({ name: 'ballotwatch_ingest_total', help: 'POST /v1/messages outcomes', labelNames: ['outcome'], registers: [this.registry] });
  readonly httpSeconds = new Histogram({
    name: 'ballotwatch_http_request_duration_seconds',
    help: 'HTTP request latency by route',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5, 30],
    registers: [this.registry],
  });
  readonly jobFailures = new Counter({ name: 'ballotwatch_job_failures_total', help: 'Scan job attempts that failed, by error code', labelNames: ['code'], registers: [this.registry] });

  private readonly model = new Gauge({ name: 'ballotwatch_model_info', help: 'Model version this process scores with (value 1)', labelNames: ['version'], registers: [this.registry] });

  /** @param modelVersion null on an API-only process, which scores nothing */
  constructor(modelVersion: string | null, depth?: () => Promise<QueueDepth>) {
    collectDefaultMetrics({ register: this.registry, prefix: 'ballotwatch_' });
    if (modelVersion) this.setModel(modelVersion);
    if (depth) {
      // One Redis round trip per scrape, shared by the gauges.
      let pending: Promise<QueueDepth> | null = null;
      // Redis down: the gauges read NaN rather than failing the whole scrape.
      const down: QueueDepth = { waiting: NaN, active: NaN, delayed: NaN, failed: NaN, oldestAgeMs: NaN };
      const read = () => (pending ??= depth().catch(() => down).finally(() => setTimeout(() => (pending = null), 100)));
      const gauge = (name: string, help: string, pick: (d: QueueDepth) => number) =>
        new Gauge({
          name,
          help,
          registers: [this.registry],
          async collect() {
            this.set(pick(await read()));
          },
        });
      gauge('ballotwatch_queue_waiting', 'Jobs waiting to be scored', (d) => d.waiting);
      gauge('ballotwatch_queue_active', 'Jobs being scored', (d) => d.active);
      gauge('ballotwatch_queue_delayed', 'Jobs waiting for a retry', (d) => d.delayed);
      gauge('ballotwatch_queue_failed', 'Jobs that failed for good (kept for inspection)', (d) => d.failed);
      gauge('ballotwatch_queue_oldest_job_age_seconds', 'Age of the oldest waiting job', (d) => d.oldestAgeMs / 1000);
    }
  }

  setModel(version: string): void {
    this.model.reset();
    this.model.set({ version }, 1);
  }

  recordScan(r: ScanResult, seconds: number): void {
    this.scans.inc({ verdict: r.verdict, category: r.category ?? 'none' });
    this.scanSeconds.observe(seconds);
  }
}
