export * from './aws/dynamo';
export * from './aws/dynamo-challenge-store';
export * from './aws/dynamo-tenant-directory';
export * from './aws/dynamo-user-store';
export * from './aws/kms-key-vault';
export * from './local/local-key-vault';
export * from './system';
export * from './tables';
