/** Builds small RFC 822 messages for tests. */
export interface EmailSpec {
  from?: string;
  to?: string;
  subject?: string;
  replyTo?: string;
  headers?: Record<string, string>;
  text?: string;
  html?: string;
}

export function buildEmail(spec: EmailSpec): Buffer {
  const h: string[] = [
    `From: ${spec.from ?? 'Pat Doe <pat@example.org>'}`,
    `To: ${spec.to ?? 'clerk@county.example.gov'}`,
    `Subject: ${spec.subject ?? 'hello'}`,
    'Date: Tue, 20 Oct 2020 10:00:00 -0400',
    `Message-ID: <${Math.random().toString(36).slice(2)}@example.org>`,
    'MIME-Version: 1.0',
  ];
  if (spec.replyTo) h.push(`Reply-To: ${spec.replyTo}`);
  for (const [k, v] of Object.entries(spec.headers ?? {})) h.push(`${k}: ${v}`);
  if (spec.text !== undefined && spec.html !== undefined) {
    h.push('Content-Type: multipart/alternative; boundary="b1"', '', '--b1', 'Content-Type: text/plain; charset=utf-8', '', spec.text, '--b1', 'Content-Type: text/html; charset=utf-8', '', spec.html, '--b1--', '');
  } else if (spec.html !== undefined) {
    h.push('Content-Type: text/html; charset=utf-8', '', spec.html, '');
  } else {
    h.push('Content-Type: text/plain; charset=utf-8', '', spec.text ?? '', '');
  }
  return Buffer.from(h.join('\r\n'), 'utf8');
}

/** A multipart message nested `depth` levels deep. */
export function nestedEmail(depth: number): Buffer {
  let body = 'Content-Type: text/plain\r\n\r\ninnermost text\r\n';
  for (let d = depth; d >= 1; d--) {
    body = `Content-Type: multipart/mixed; boundary="n${d}"\r\n\r\n--n${d}\r\n${body}--n${d}--\r\n`;
  }
  return Buffer.from(`From: a@example.org\r\nTo: b@example.org\r\nSubject: nested\r\nMIME-Version: 1.0\r\n${body}`);
}
