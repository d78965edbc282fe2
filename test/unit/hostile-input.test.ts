// Hostile input must finish: each case below once took 4–40 s (super-linear regexes) before the
// patterns were bounded. No timing is asserted (machines are shared): jest's timeout is the hang
// guard, and the speed figures come from `npm run bench`.
import { loadConfig } from '../../src/config';
import { DEFAULT_REGISTRY } from '../../src/features';
import { analyse } from '../../src/pipeline';

const config = loadConfig({});
const head = (h: string) => `${h}\r\nTo: b@example.org\r\nSubject: s\r\nMessage-ID: <m@example.org>\r\n`;
const big = 250_000;

const cases: [string, string][] = [
  ['a 250 KB display name', `From: "${'a'.repeat(big)}" <x@y.org>\r\n${head('Date: Mon, 2 Nov 2020 10:00:00 -0500')}\r\nhello\r\n`],
  ['a 250 KB Received line', `From: x@y.org\r\nReceived: from ${'1.'.repeat(big / 2)}\r\n${head('Date: Mon, 2 Nov 2020 10:00:00 -0500')}\r\nhello\r\n`],
  ['a Date header padded with spaces', `From: x@y.org\r\n${head(`Date: Mon, 2 Nov 2020 10:00:00 -0400 AB${' '.repeat(big)}x`)}\r\nhello\r\n`],
  ['leetspeak-like runs', `From: x@y.org\r\n${head('Date: Mon, 2 Nov 2020 10:00:00 -0500')}\r\n${'1a'.repeat(45_000)}_ x\r\n`],
  ['100,000 blank lines', `From: x@y.org\r\n${head('Date: Mon, 2 Nov 2020 10:00:00 -0500')}\r\n${'\n'.repeat(100_000)}x\r\n`],
  ['letter-spaced runs', `From: x@y.org\r\n${head('Date: Mon, 2 Nov 2020 10:00:00 -0500')}\r\n${'a '.repeat(100_000)}\r\n`],
];

describe('hostile input', () => {
  it.each(cases)('%s completes', async (_name, raw) => {
    const a = await analyse(Buffer.from(raw, 'latin1'), config, DEFAULT_REGISTRY);
    expect(a.tokens.length).toBeGreaterThan(0);
  });
});
