// Stryker ignorer for message-only code in the verdict modules: the words of a check's `message`,
// log lines and error texts. A mutant there changes what a person reads, never which check passes,
// so counting it would hide the mutants that matter behind hundreds of cosmetic ones. What a check
// decides (`ok`, `rule`, `layer`, `expected`, `actual`, which checks are pushed) stays mutated.
import { PluginKind, declareValuePlugin } from '@stryker-mutator/api/plugin';

const WORDING_KEYS = new Set(['message', 'detail', 'hint', 'reason', 'note']);
const LOG_METHODS = new Set(['info', 'warning', 'debug', 'notice']);

function isWordingProperty(path) {
  const node = path.node;
  if (node.type !== 'ObjectProperty' || node.computed) return false;
  const key = node.key.type === 'Identifier' ? node.key.name : node.key.type === 'StringLiteral' ? node.key.value : undefined;
  return key !== undefined && WORDING_KEYS.has(key);
}

/** logger.info(...), run.logger.warning(...), log.debug(...) */
function isLogCall(path) {
  const node = path.node;
  if (node.type !== 'CallExpression' || node.callee.type !== 'MemberExpression') return false;
  const { object, property } = node.callee;
  if (property.type !== 'Identifier' || !LOG_METHODS.has(property.name)) return false;
  const target = object.type === 'MemberExpression' ? object.property : object;
  return target.type === 'Identifier' && /log/i.test(target.name);
}

/** The text given to `new SomethingError(text, ...)`: only the first argument, the words. */
function isErrorText(path) {
  const parent = path.parentPath;
  if (!parent || parent.node.type !== 'NewExpression') return false;
  const callee = parent.node.callee;
  if (callee.type !== 'Identifier' || !/Error$/.test(callee.name)) return false;
  return parent.node.arguments[0] === path.node && (path.node.type === 'TemplateLiteral' || path.node.type === 'StringLiteral' || path.node.type === 'BinaryExpression' || path.node.type === 'ConditionalExpression');
}

export const strykerPlugins = [
  declareValuePlugin(PluginKind.Ignore, 'wording', {
    shouldIgnore(path) {
      if (isWordingProperty(path)) return 'wording: a check message, read by people, decides nothing';
      if (isLogCall(path)) return 'wording: a log line';
      if (isErrorText(path)) return 'wording: the text of an error (its type and code are still mutated)';
      return undefined;
    },
  }),
];
