/**
 * cdk-nag's AWS Solutions checks over the whole app, with every option on and with none: no
 * finding, error or warning, is left unacknowledged, and every acknowledgment says why. (cdk-nag
 * v3 acknowledges through CDK's Validations.of(construct).acknowledge, one finding id at a time,
 * e.g. `AwsSolutions-IAM5[Resource::*]`: the v2 NagSuppressions with appliesTo.)
 */
import { App, Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { readSettings } from '../../infra/settings';
import { defineTwofold } from '../../infra/twofold';
import { fullSettings } from './synth';

// the checks walk the construct tree: no synthesis needed
const build = (settings: unknown) => {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  defineTwofold(app, readSettings(settings));
  return app;
};
const apps = { 'every option': build(fullSettings), 'no options': build({}) };

function acknowledgments(scope: IConstruct): { path: string; id: string; reason: string }[] {
  const own = scope.node.metadata
    .filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
    .flatMap((m) => Object.entries(m.data as Record<string, string>).map(([id, reason]) => ({ path: scope.node.path, id: id.replace(/^annotation::/i, ''), reason })));
  return [...own, ...scope.node.children.flatMap(acknowledgments)];
}

describe.each(Object.entries(apps))('AWS Solutions checks, %s', (_, app) => {
  it('leave no unacknowledged finding', () => {
    const report = new AwsSolutionsChecks(app, { verbose: true }).validateScope(app);
    const findings = report.violations.map((v) => `${v.severity} ${v.ruleName} at ${v.violatingResources.map((r) => r.constructPath).join(', ')}: ${v.description}`);
    expect(findings).toEqual([]);
    expect(report.success).toBe(true);
  });

  it('every acknowledgment names an AWS Solutions rule and gives a reason', () => {
    const acks = acknowledgments(app);
    expect(acks.length).toBeGreaterThan(0);
    for (const ack of acks) {
      expect(ack.id, ack.path).toMatch(/^AwsSolutions-[A-Z]+\d+(\[.+\])?$/);
      expect(ack.reason.length, `${ack.path} ${ack.id}`).toBeGreaterThanOrEqual(40);
    }
  });
});

it('the only wildcard acknowledged is SNS SMS publishing, on the policies that do nothing else', () => {
  const wildcards = acknowledgments(apps['every option']).filter((a) => a.id.startsWith('AwsSolutions-IAM5'));
  expect(wildcards.map((a) => [a.path, a.id])).toEqual([
    ['tf-test-stateless/Default/enrollment/Function/SendsSms', 'AwsSolutions-IAM5[Resource::*]'],
    ['tf-test-stateless/Default/challenge/Function/SendsSms', 'AwsSolutions-IAM5[Resource::*]'],
    // the hosted prompt's pages start challenges and send their codes, as the challenge function does
    ['tf-test-stateless/Default/prompt/Function/SendsSms', 'AwsSolutions-IAM5[Resource::*]'],
  ]);
});
