// The fenced code blocks of README.md, for the tests that run what it shows.

import { readFileSync } from "node:fs";

export interface CodeBlock {
  /** The fence's language tag ("ts", "js", "json", or "" for none). */
  lang: string;
  code: string;
  /** The README line of the opening fence, for failure messages. */
  line: number;
}

export function readmeBlocks(): CodeBlock[] {
  const lines = readFileSync(new URL("../../README.md", import.meta.url), "utf8").split("\n");
  const blocks: CodeBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(\w*)\s*$/.exec(lines[i]);
    if (!open) continue;
    const end = lines.indexOf("```", i + 1);
    if (end < 0) throw new Error(`README.md: the code block opened at line ${i + 1} is not closed`);
    blocks.push({ lang: open[1], code: lines.slice(i + 1, end).join("\n") + "\n", line: i + 1 });
    i = end;
  }
  return blocks;
}
