// @firehose/schema/site: site catalogues (services declared as data, not code), browser safe.
// Reading them from files (YAML/JSON with line numbers, sibling `$ref`s) is @firehose/schema/files.
export {
  CATALOGUE_FORMAT_KEY,
  CATALOGUE_FORMAT_VERSION,
  SERVICES_TOPIC,
  type CatalogueDocument,
  type EventSpec,
  type IngestSpec,
  type ServiceSpec,
} from './catalogue-document.js';
export {
  CatalogueError,
  isCatalogueError,
  formatProblem,
  fieldName,
  type CatalogueProblem,
  type DocumentPath,
} from './catalogue-problem.js';
export { buildSiteServices, type BuildOptions } from './build-site-services.js';
export { topicsOverlap } from './topic-overlap.js';
export { describeServices, type DescribeOptions } from './describe-services.js';
