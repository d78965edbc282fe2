import { htmlToText } from '../../../src/mail/html-to-text';

describe('htmlToText', () => {
  it('drops script, style and comments and decodes entities', () => {
    const r = htmlToText('<style>p{}</style><!-- hidden --><p>Vote &amp; win&#33;</p><script>x()</script>');
    expect(r.text).toBe('Vote & win!');
  });

  it('turns block tags into lines and keeps inline splits joined', () => {
    expect(htmlToText('<div>one</div><div>t<b>w</b>o</div>').text).toBe('one\ntwo');
  });

  it('keeps alt text and reports links with their anchor text', () => {
    const r = htmlToText('<a href="https://x.example/a?b=1&amp;c=2">www.usps.com</a><img src=a.png alt="We know where you live">');
    expect(r.links).toEqual([{ href: 'https://x.example/a?b=1&c=2', text: 'www.usps.com' }]);
    expect(r.text).toContain('We know where you live');
  });

  it('copes with unclosed tags and stray angle brackets', () => {
    expect(htmlToText('a < b and <script>never closed').text).toBe('a < b and');
    expect(htmlToText('<p>ok <b').text).toBe('ok b');
  });
});

describe('htmlToText on hostile input', () => {
  it('stays linear on many unmatched angle brackets (no catastrophic rescans)', () => {
    const evil = `${'<'.repeat(200_000)}>${'<a '.repeat(50_000)}`;
    const r = htmlToText(evil);
    expect(r.text.length).toBeGreaterThan(100_000);
  });
});
