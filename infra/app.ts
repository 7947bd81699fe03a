/**
 * The CDK app (cdk.json: `npx tsx infra/app.ts`): settings from the context key `twofold`,
 * the two stacks built from the TwofoldData and TwofoldService constructs, and the AWS
 * Solutions checks of cdk-nag, which fail a synth or deploy on any finding that is not
 * acknowledged with a reason where it arises. `cdk synth` prints the effective settings (the
 * TwofoldService's info annotation).
 */
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { readSettings, SETTINGS_CONTEXT_KEY } from './settings';
import { defineTwofold } from './twofold';

const app = new App();
const settings = readSettings(app.node.tryGetContext(SETTINGS_CONTEXT_KEY));
// account and region of the CLI's credentials when there are some; without, the stacks are environment-agnostic
const account = process.env.CDK_DEFAULT_ACCOUNT;
const region = process.env.CDK_DEFAULT_REGION;
// the service prints its effective settings (SMS, email from, schedules) as an info annotation at synth
defineTwofold(app, settings, account && region ? { account, region } : undefined);
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
app.synth();
