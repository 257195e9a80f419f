// What the tests of the agent's saved server set share: a custom rule file
// the server pushes (a Falco-style rule on `tac`) and the digest the set names
// each rule file by.
import { createHash } from 'node:crypto';

export const digest = (s: string) => `sha256:${createHash('sha256').update(s).digest('hex')}`;

export const TAC_RULE = `- rule: Tac in a container
  desc: tac ran
  condition: evt.type in (execve, execveat) and evt.dir = < and proc.name = tac
  output: tac ran (cmdline=%proc.cmdline)
  priority: WARNING
`;
