/** The Twofold constructs a platform team adds to its own CDK app (README: "Deploying and operating on AWS"). */
export { TwofoldData, dataParameterNames, type TwofoldDataProps, type TwofoldDataResources } from './twofold-data';
export {
  TwofoldService,
  describeSettings,
  type TwofoldEffectiveSettings,
  type TwofoldEmailProps,
  type TwofoldSchedules,
  type TwofoldServiceProps,
  type TwofoldSmsProps,
} from './twofold-service';
export type { ApiDomain } from './routed-api';
export type { AlarmThresholds } from './observability';
