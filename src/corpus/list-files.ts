import { readdirSync, statSync } from 'node:fs';

/**
 * Files under a path, sorted and recursive, each named as the given path joined with its path
 * inside it (`fixtures/` + `ham/a.eml` → `fixtures/ham/a.eml`, `./x` → `./x/a.eml`): the CLI reports
 * them exactly so. Dotfiles and SpamAssassin-corpus `cmds` files are skipped. The one directory
 * walker for `scan` and for corpus folders.
 */
export function listInputs(path: string): string[] {
  if (statSync(path).isFile()) return [path];
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      if (name.startsWith('.') || name === 'cmds') continue;
      const p = dir.endsWith('/') ? `${dir}${name}` : `${dir}/${name}`;
      const st = statSync(p);
      if (st.isDirectory()) walk(p);
      else if (st.isFile()) out.push(p);
    }
  };
  walk(path);
  return out;
}
