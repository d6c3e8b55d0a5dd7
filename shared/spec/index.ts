/** The pipeline spec: schema, parsing with located errors, JSON Schema, binding-expression scanning. */
export { parseSpec, validateSpec, describeIssue, SPEC_ERROR_CODE, type ParseSpecOptions } from './parse';
export { pipelineJsonSchema } from './jsonSchema';
export {
  PipelineSpec,
  Step,
  Parameter,
  DataPath,
  STEP_TYPES,
  PARAMETER_TYPES,
  type StepType,
  type ParameterType,
  type PythonStep,
  type CommandStep,
  type ParallelStep,
  type DataTransferStep,
  type DatabricksStep,
} from './schema';
export { scanExpressions, replaceExpressions, type Reference, type ReferenceKind } from './expressions';
export { stepReads, stepWrites, stepTemplates, formatPath } from './model';
export { normalizeRelativePath, unsafePathReason } from './safePath';
export { ADLA_RETIRED } from './zodIssues';
export { DEFAULT_DATASTORE, NAME_PATTERN } from './names';
