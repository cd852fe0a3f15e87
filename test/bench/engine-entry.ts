// Entry bundled by run.mjs for the in-process engine measurements (not part of the product).
export { Workspace } from '../../server/src/core/index/snapshot';
export { analyzeFile, analyzeWorkspace } from '../../server/src/core/analyzers/index';
export { extractFile } from '../../server/src/core/model/extract';
export { fastParser } from '../../server/src/core/yaml/fast';
export { listYamlFiles, readTextFile } from '../../server/src/runtime';
