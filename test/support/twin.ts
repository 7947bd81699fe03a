/**
 * The deployment twin for tests: the run's synthesized assembly (test/support/twin-assembly.ts),
 * and copies of it with a template changed (a statement or an action taken out of a function's
 * policy, a route removed), as a platform team's edit of the stack would change it.
 */
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function twinAssembly(): string {
  const dir = process.env.TWOFOLD_TWIN_ASSEMBLY;
  if (!dir) throw new Error('no TWOFOLD_TWIN_ASSEMBLY: test/support/twin-assembly.ts is the globalSetup that makes it');
  return dir;
}

type Template = { Resources: Record<string, { Type: string; Properties?: Record<string, unknown>; Metadata?: Record<string, unknown> }> };
type Statement = { Action: string | string[]; Effect: string; Resource?: unknown; Condition?: unknown };

/** A copy of the assembly (its bundles linked, not copied) whose templates `change` edits in place. */
export function changedAssembly(change: (template: Template, stack: string) => void): { dir: string; remove: () => void } {
  const source = twinAssembly();
  const dir = mkdtempSync(join(tmpdir(), 'twofold-twin-changed-'));
  for (const entry of readdirSync(source)) {
    if (entry.startsWith('asset.')) symlinkSync(join(source, entry), join(dir, entry));
    else cpSync(join(source, entry), join(dir, entry), { recursive: true });
    if (entry.endsWith('.template.json')) {
      const template = JSON.parse(readFileSync(join(dir, entry), 'utf8')) as Template;
      change(template, entry.replace(/\.template\.json$/, ''));
      writeFileSync(join(dir, entry), JSON.stringify(template));
    }
  }
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Takes `action` out of every statement of the function's policies (a statement left with no action goes). */
export function withoutAction(fn: string, action: string) {
  return (template: Template) => {
    for (const r of Object.values(template.Resources)) {
      if (r.Type !== 'AWS::IAM::Policy' || !String(r.Metadata?.['aws:cdk:path'] ?? '').includes(`/${fn}/Role/`)) continue;
      const document = r.Properties?.PolicyDocument as { Statement: Statement[] };
      document.Statement = document.Statement.map((s) => ({ ...s, Action: [s.Action].flat().filter((a) => a !== action) })).filter((s) => s.Action.length > 0);
    }
  };
}
