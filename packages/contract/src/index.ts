export * from './errors';
export * from './routes';
export * from './schemas';
export { buildOpenApiDocument } from './openapi';
