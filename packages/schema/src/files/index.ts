// @firehose/schema/files: site catalogues read from files (Node only): YAML or JSON with line
// numbers in every problem, `$ref` to sibling schema files. The format itself is @firehose/schema/site.
export { loadCatalogueFiles, type LoadOptions } from './load-catalogue-files.js';
