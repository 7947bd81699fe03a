export { promptPages } from './prompt-pages';
