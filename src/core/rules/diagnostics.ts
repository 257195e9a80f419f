// Load diagnostics: every problem in a rule file is a coded warning or error
// with file, line and column; loading never throws on bad input.

export type DiagnosticSeverity = 'warning' | 'error';

export interface Diagnostic {
  code: string;
  severity: DiagnosticSeverity;
  file: string;
  line: number;
  column: number;
  rule?: string;
  field?: string;
  message: string;
}

/** The codes, with what they mean (docs/rules.md lists them). */
export const DIAGNOSTIC_CODES: Record<string, string> = {
  YAML_SYNTAX: 'the file is not valid YAML',
  FILE_NOT_LIST: 'the top level of a rules file must be a list of entries',
  FILE_TOO_LARGE: 'the file exceeds the size or entry limit',
  ENTRY_INVALID: 'an entry is not a mapping or lacks a required key',
  UNKNOWN_ENTRY: 'an entry is neither list, macro, rule nor a known directive (ignored)',
  UNKNOWN_KEY: 'an entry has a key Vigil does not know (ignored)',
  RULE_MISSING_FIELD: 'a rule lacks condition, output, desc or priority',
  INVALID_PRIORITY: "a priority is not one of Falco's",
  INVALID_SEVERITY: 'a severity is not critical, high, medium, low or info',
  APPEND_UNDEFINED: 'append/override of a list, macro or rule that was never defined',
  CONDITION_SYNTAX: 'a condition does not parse',
  CONDITION_TOO_LONG: 'a condition exceeds the length limit',
  CONDITION_TOO_DEEP: 'a condition nests deeper than the limit',
  UNDEFINED_MACRO: 'a condition names a macro that does not exist',
  MACRO_CYCLE: 'macros reference each other in a cycle',
  COMPARE_TYPE: 'a literal does not fit the field (not a number, bad network, bad regex)',
  UNSUPPORTED_FIELD: 'a field Vigil does not support: the rule is skipped',
  UNSUPPORTED_SOURCE: 'a rule source Vigil does not support: the rule is skipped',
  UNSUPPORTED_OUTPUT_FIELD: 'the output names a field Vigil does not support: it prints <NA>',
  NO_EVT_TYPE: 'a syscall rule does not restrict evt.type, so every event meets it',
  ENGINE_VERSION: 'the file requires a newer engine version than Vigil implements',
  TYPE_NOT_IN_CATALOG: 'a built-in rule names a type outside the alert catalog',
  TYPE_MISSING: 'a built-in rule names no alert type',
  TYPE_IGNORED: 'a user rule names a catalog type: user rules always raise custom/<rule name>',
  INVALID_AGGREGATE: 'an aggregate block is malformed',
  INVALID_EXCEPTION: 'an exceptions block is malformed',
  INVALID_EXAMPLES: 'an examples block is malformed',
};
