/**
 * The parts of routes and Services the index keeps most of (refs, rules, filters, ports), as
 * classes that hold their offsets as two numbers and make the span object when it is read, as
 * `Field` does: at 100k documents that is ~200k span objects fewer to allocate, copy out of the
 * young generation and, on a warm start, decode. Each serialises (JSON) as the plain object it
 * replaces, with the same keys in the same order.
 */
import type { Span } from '../text';
import { Field, KeyedField } from '../yaml/access';
import type { BackendRefNode, GrpcMatch, HttpMatch, ParentRefNode, RouteFilter, RouteRule, ServicePort } from './types';

/** Where a node is, as offsets; `span` is made when read. */
abstract class Located {
  declare readonly start: number;
  declare readonly end: number;

  get span(): Span {
    return { start: this.start, end: this.end };
  }
}

/*
 * Fields of refs and ports are kept in the node's own slots (value, start and end; the key's
 * offsets too for the fields reported on their key) and made into a `Field` when read: these are
 * ~370k of the ~1.1M objects of a 100k-document workspace, and objects of their own cost a warm
 * start more to decode and to garbage-collect than the slots do (as the cache stores them, a start
 * rebuilds them with their node). A slot start of -1 marks an absent field.
 */

/** The field kept in slots, or undefined when it is absent. */
function slotField<T>(value: T, start: number, end: number): Field<T> | undefined {
  return start < 0 ? undefined : new Field(value, start, end);
}

/** The field kept in slots with its key's offsets (keyStart -1: no key span). */
function slotKeyedField<T>(value: T, start: number, end: number, keyStart: number, keyEnd: number): Field<T> | undefined {
  if (start < 0) return undefined;
  return keyStart < 0 ? new Field(value, start, end) : new KeyedField(value, start, end, keyStart, keyEnd);
}

/** Checks a field for slots without the key's offsets: one made with them would lose them, a bug. */
function keyless(f: Field<unknown> | undefined, name: string): void {
  if (f !== undefined && f.keySpan !== undefined) throw new Error(`the key span of ${name} is not kept`);
}

const keyStartOf = (f: Field<unknown> | undefined): number => (f instanceof KeyedField ? f.keyStart : -1);
const keyEndOf = (f: Field<unknown> | undefined): number => (f instanceof KeyedField ? f.keyEnd : -1);

export class ServicePortNode extends Located implements ServicePort {
  readonly portValue: number | undefined;
  readonly portStart: number;
  readonly portEnd: number;
  readonly nameValue: string | undefined;
  readonly nameStart: number;
  readonly nameEnd: number;
  readonly targetPortValue: number | string | undefined;
  readonly targetPortStart: number;
  readonly targetPortEnd: number;

  constructor(
    readonly start: number,
    readonly end: number,
    readonly index: number,
    port: Field<number> | undefined,
    name: Field<string> | undefined,
    targetPort: Field<number | string> | undefined,
    readonly protocol: string | undefined,
    readonly appProtocol: string | undefined,
  ) {
    super();
    keyless(port, 'port');
    keyless(name, 'name');
    keyless(targetPort, 'targetPort');
    this.portValue = port?.value;
    this.portStart = port ? port.start : -1;
    this.portEnd = port ? port.end : -1;
    this.nameValue = name?.value;
    this.nameStart = name ? name.start : -1;
    this.nameEnd = name ? name.end : -1;
    this.targetPortValue = targetPort?.value;
    this.targetPortStart = targetPort ? targetPort.start : -1;
    this.targetPortEnd = targetPort ? targetPort.end : -1;
  }

  get port(): Field<number> | undefined {
    return slotField(this.portValue as number, this.portStart, this.portEnd);
  }

  get name(): Field<string> | undefined {
    return slotField(this.nameValue as string, this.nameStart, this.nameEnd);
  }

  get targetPort(): Field<number | string> | undefined {
    return slotField(this.targetPortValue as number | string, this.targetPortStart, this.targetPortEnd);
  }

  toJSON(): object {
    return { span: this.span, index: this.index, port: this.port, name: this.name, targetPort: this.targetPort, protocol: this.protocol, appProtocol: this.appProtocol };
  }
}

/** The fields parentRefs and backendRefs have in common, kept in slots; `group` with its key's offsets. */
abstract class RefSlots extends Located {
  readonly groupValue: string | null | undefined;
  readonly groupStart: number;
  readonly groupEnd: number;
  readonly groupKeyStart: number;
  readonly groupKeyEnd: number;
  readonly kindValue: string | undefined;
  readonly kindStart: number;
  readonly kindEnd: number;
  readonly nameValue: string | undefined;
  readonly nameStart: number;
  readonly nameEnd: number;
  readonly namespaceValue: string | undefined;
  readonly namespaceStart: number;
  readonly namespaceEnd: number;
  readonly portValue: unknown;
  readonly portStart: number;
  readonly portEnd: number;

  constructor(group: Field<string | null> | undefined, kind: Field<string> | undefined, name: Field<string> | undefined, namespace: Field<string> | undefined, port: Field<unknown> | undefined) {
    super();
    keyless(kind, 'kind');
    keyless(name, 'name');
    keyless(namespace, 'namespace');
    keyless(port, 'port');
    this.groupValue = group?.value;
    this.groupStart = group ? group.start : -1;
    this.groupEnd = group ? group.end : -1;
    this.groupKeyStart = keyStartOf(group);
    this.groupKeyEnd = keyEndOf(group);
    this.kindValue = kind?.value;
    this.kindStart = kind ? kind.start : -1;
    this.kindEnd = kind ? kind.end : -1;
    this.nameValue = name?.value;
    this.nameStart = name ? name.start : -1;
    this.nameEnd = name ? name.end : -1;
    this.namespaceValue = namespace?.value;
    this.namespaceStart = namespace ? namespace.start : -1;
    this.namespaceEnd = namespace ? namespace.end : -1;
    this.portValue = port?.value;
    this.portStart = port ? port.start : -1;
    this.portEnd = port ? port.end : -1;
  }

  get group(): Field<string | null> | undefined {
    return slotKeyedField(this.groupValue as string | null, this.groupStart, this.groupEnd, this.groupKeyStart, this.groupKeyEnd);
  }

  get kind(): Field<string> | undefined {
    return slotField(this.kindValue as string, this.kindStart, this.kindEnd);
  }

  get name(): Field<string> | undefined {
    return slotField(this.nameValue as string, this.nameStart, this.nameEnd);
  }

  get namespace(): Field<string> | undefined {
    return slotField(this.namespaceValue as string, this.namespaceStart, this.namespaceEnd);
  }

  get port(): Field<unknown> | undefined {
    return slotField(this.portValue, this.portStart, this.portEnd);
  }
}

/**
 * The `kind`, `name` and `namespace` of a parentRef or backendRef as values (undefined when the key
 * is absent), read from the slots without making a Field each: for indexing every ref of a workspace.
 */
export function refTarget(r: ParentRefNode | BackendRefNode): { kind: string | undefined; name: string | undefined; namespace: string | undefined } {
  if (r instanceof RefSlots) {
    TARGET.kind = r.kindStart < 0 ? undefined : r.kindValue;
    TARGET.name = r.nameStart < 0 ? undefined : r.nameValue;
    TARGET.namespace = r.namespaceStart < 0 ? undefined : r.namespaceValue;
  } else {
    TARGET.kind = r.kind?.value;
    TARGET.name = r.name?.value;
    TARGET.namespace = r.namespace?.value;
  }
  return TARGET;
}

/** refTarget's result, reused: read it before the next call. */
const TARGET: { kind: string | undefined; name: string | undefined; namespace: string | undefined } = { kind: undefined, name: undefined, namespace: undefined };

export class ParentRef extends RefSlots implements ParentRefNode {
  readonly sectionNameValue: string | undefined;
  readonly sectionNameStart: number;
  readonly sectionNameEnd: number;
  readonly sectionNameKeyStart: number;
  readonly sectionNameKeyEnd: number;

  constructor(
    readonly index: number,
    readonly start: number,
    readonly end: number,
    group: Field<string | null> | undefined,
    kind: Field<string> | undefined,
    name: Field<string> | undefined,
    namespace: Field<string> | undefined,
    port: Field<unknown> | undefined,
    sectionName: Field<string> | undefined,
  ) {
    super(group, kind, name, namespace, port);
    this.sectionNameValue = sectionName?.value;
    this.sectionNameStart = sectionName ? sectionName.start : -1;
    this.sectionNameEnd = sectionName ? sectionName.end : -1;
    this.sectionNameKeyStart = keyStartOf(sectionName);
    this.sectionNameKeyEnd = keyEndOf(sectionName);
  }

  get sectionName(): Field<string> | undefined {
    return slotKeyedField(this.sectionNameValue as string, this.sectionNameStart, this.sectionNameEnd, this.sectionNameKeyStart, this.sectionNameKeyEnd);
  }

  toJSON(): object {
    return { index: this.index, span: this.span, group: this.group, kind: this.kind, name: this.name, namespace: this.namespace, port: this.port, sectionName: this.sectionName };
  }
}

export class BackendRef extends RefSlots implements BackendRefNode {
  readonly weightValue: unknown;
  readonly weightStart: number;
  readonly weightEnd: number;

  constructor(
    readonly start: number,
    readonly end: number,
    readonly ruleIndex: number,
    readonly index: number,
    readonly mirror: boolean,
    group: Field<string | null> | undefined,
    kind: Field<string> | undefined,
    name: Field<string> | undefined,
    namespace: Field<string> | undefined,
    port: Field<unknown> | undefined,
    weight: Field<unknown> | undefined,
  ) {
    super(group, kind, name, namespace, port);
    keyless(weight, 'weight');
    this.weightValue = weight?.value;
    this.weightStart = weight ? weight.start : -1;
    this.weightEnd = weight ? weight.end : -1;
  }

  get weight(): Field<unknown> | undefined {
    return slotField(this.weightValue, this.weightStart, this.weightEnd);
  }

  toJSON(): object {
    return {
      span: this.span,
      ruleIndex: this.ruleIndex,
      index: this.index,
      mirror: this.mirror,
      group: this.group,
      kind: this.kind,
      name: this.name,
      namespace: this.namespace,
      port: this.port,
      weight: this.weight,
    };
  }
}

export class Filter extends Located implements RouteFilter {
  constructor(
    readonly type: string,
    readonly start: number,
    readonly end: number,
    readonly redirectStatus: number | undefined,
  ) {
    super();
  }

  toJSON(): object {
    return { type: this.type, span: this.span, redirectStatus: this.redirectStatus };
  }
}

export class Rule extends Located implements RouteRule {
  constructor(
    readonly index: number,
    readonly start: number,
    readonly end: number,
    readonly name: string | undefined,
    readonly httpMatches: readonly HttpMatch[] | undefined,
    readonly grpcMatches: readonly GrpcMatch[] | undefined,
    readonly filters: readonly RouteFilter[],
    readonly backendRefs: readonly BackendRefNode[],
    readonly hasBackendRefsKey: boolean,
    readonly defaulted: boolean,
  ) {
    super();
  }

  toJSON(): object {
    return {
      index: this.index,
      span: this.span,
      name: this.name,
      httpMatches: this.httpMatches,
      grpcMatches: this.grpcMatches,
      filters: this.filters,
      backendRefs: this.backendRefs,
      hasBackendRefsKey: this.hasBackendRefsKey,
      defaulted: this.defaulted,
    };
  }
}
