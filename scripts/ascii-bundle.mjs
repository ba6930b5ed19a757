/* global process, console */
// Owns: the last step of `npm run build` — every character outside ASCII in the bundled
// JavaScript (dist/, dist/cli/) is written as its \uXXXX escape. V8 keeps a script's source in
// memory for as long as the script lives, as one byte per character only if every character
// fits in Latin-1: our messages' dashes, quotes and arrows made the 1 MB bundle a 2 MB two-byte
// string, and its scan slower (issue 15, the memory floor). The escape means the same character
// in a string, template or regular expression literal, and is inert in a comment; the bundle
// has no identifiers outside ASCII. A character right after a backslash would change meaning
// when escaped (`\—` is `—`, `\\u2014` is not): the build fails instead.
//
//   node scripts/ascii-bundle.mjs DIR…   rewrites every .js file under each DIR in place

import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

function files(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : path.endsWith('.js') ? [path] : [];
  });
}

const problems = [];
for (const dir of process.argv.slice(2)) {
  for (const file of files(dir)) {
    const text = readFileSync(file, 'utf8');
    const escaped = text.replace(/(\\*)([^\p{ASCII}])/gu, (match, backslashes, char, offset) => {
      if (backslashes.length % 2 === 1) problems.push(`${file}: a backslash before ${JSON.stringify(char)} at offset ${offset}`);
      let out = backslashes;
      for (let i = 0; i < char.length; i++) out += `\\u${char.charCodeAt(i).toString(16).padStart(4, '0')}`;
      return out;
    });
    if (escaped !== text) writeFileSync(file, escaped);
  }
}
for (const p of problems) console.error(p);
if (problems.length) {
  console.error('ascii-bundle: cannot escape a character that follows a backslash; write it as \\uXXXX in the source');
  process.exit(1);
}
