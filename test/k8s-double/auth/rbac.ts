/**
 * The RBAC authorizer over the double's store, following kubernetes v1.31
 * pkg/registry/rbac/validation/rule.go (`DefaultRuleResolver.VisitRulesFor`) and
 * plugin/pkg/auth/authorizer/rbac/rbac.go (`RBACAuthorizer.Authorize`):
 * ClusterRoleBindings first, then the RoleBindings of the request's namespace; a binding applies
 * when one of its subjects is the user, one of the user's groups, or the user's service account (a
 * ServiceAccount subject without namespace means the binding's namespace); a binding whose role is
 * missing contributes the lister's NotFound error, which becomes the denial's reason
 * (`RBAC: role.rbac.authorization.k8s.io "x" not found`). Allowed: `RBAC: allowed by <binding>`.
 */
import { R } from '../api/resources.js';
import type { Store } from '../store/store.js';
import type { KubeObject } from '../types.js';
import type { Attributes } from './attributes.js';
import { type PolicyRule, ruleAllows } from './rules.js';
import { PRIVILEGED_GROUP, type UserInfo } from './user.js';

interface Subject {
  kind: string;
  name: string;
  namespace?: string;
  apiGroup?: string;
}

interface RoleRef {
  kind: string;
  name: string;
  apiGroup?: string;
}

export interface Decision {
  allowed: boolean;
  reason: string;
}

/** A visitor sees each rule with a describer of where it came from, or an error; false stops. */
type Visitor = (source: string | undefined, rule: PolicyRule | undefined, err: string | undefined) => boolean;

function appliesToUser(user: UserInfo, s: Subject, namespace: string): boolean {
  switch (s.kind) {
    case 'User':
      return user.username === s.name;
    case 'Group':
      return user.groups.includes(s.name);
    case 'ServiceAccount': {
      const ns = s.namespace || namespace;
      return ns !== '' && user.username === `system:serviceaccount:${ns}:${s.name}`;
    }
    default:
      return false;
  }
}

/** `describeSubject` of rule.go: ServiceAccount "name/namespace", else Kind "name". */
function describeSubject(s: Subject, bindingNamespace: string): string {
  if (s.kind === 'ServiceAccount')
    return `ServiceAccount ${JSON.stringify(`${s.name}/${s.namespace || bindingNamespace}`)}`;
  return `${s.kind} ${JSON.stringify(s.name)}`;
}

export class RbacAuthorizer {
  constructor(private readonly store: Store) {}

  /** The rules a role reference resolves to, or the lister's NotFound text. */
  private roleRules(ref: RoleRef, bindingNamespace: string): { rules: PolicyRule[] } | { error: string } {
    if (ref.kind === 'Role') {
      const role = this.store.peek(R.roles, bindingNamespace, ref.name);
      return role
        ? { rules: role.rules ?? [] }
        : { error: `role.rbac.authorization.k8s.io ${JSON.stringify(ref.name)} not found` };
    }
    if (ref.kind === 'ClusterRole') {
      const role = this.store.peek(R.clusterroles, undefined, ref.name);
      return role
        ? { rules: role.rules ?? [] }
        : { error: `clusterrole.rbac.authorization.k8s.io ${JSON.stringify(ref.name)} not found` };
    }
    return { error: `unsupported role reference kind: ${JSON.stringify(ref.kind)}` };
  }

  private visitBinding(binding: KubeObject, user: UserInfo, namespace: string, visit: Visitor): boolean {
    const subjects: Subject[] = binding.subjects ?? [];
    const subject = subjects.find((s) => appliesToUser(user, s, namespace));
    if (!subject) return true;
    const resolved = this.roleRules(binding.roleRef as RoleRef, namespace);
    if ('error' in resolved) return visit(undefined, undefined, resolved.error);
    const ref = binding.roleRef as RoleRef;
    const source = namespace
      ? `RoleBinding ${JSON.stringify(`${binding.metadata.name}/${namespace}`)} of ${ref.kind} ${JSON.stringify(ref.name)} to ${describeSubject(subject, namespace)}`
      : `ClusterRoleBinding ${JSON.stringify(binding.metadata.name)} of ${ref.kind} ${JSON.stringify(ref.name)} to ${describeSubject(subject, '')}`;
    for (const rule of resolved.rules) if (!visit(source, rule, undefined)) return false;
    return true;
  }

  visitRulesFor(user: UserInfo, namespace: string, visit: Visitor): void {
    for (const b of this.store.peekAll(R.clusterrolebindings))
      if (!this.visitBinding(b, user, '', visit)) return;
    if (namespace === '') return;
    for (const b of this.store.peekAll(R.rolebindings, namespace))
      if (!this.visitBinding(b, user, namespace, visit)) return;
  }

  /** Every rule that applies to the user in the namespace, and the resolution errors. */
  rulesFor(user: UserInfo, namespace: string): { rules: PolicyRule[]; errors: string[] } {
    const rules: PolicyRule[] = [];
    const errors: string[] = [];
    this.visitRulesFor(user, namespace, (_s, rule, err) => {
      if (rule) rules.push(rule);
      if (err) errors.push(err);
      return true;
    });
    return { rules, errors };
  }

  /**
   * The decision of kube-apiserver's authorizer chain as configured by default
   * (`--authorization-mode=Node,RBAC`, after the system:masters short-circuit): the privileged
   * group is allowed with no reason; otherwise RBAC's answer.
   */
  authorize(a: Attributes): Decision {
    if (a.user.groups.includes(PRIVILEGED_GROUP)) return { allowed: true, reason: '' };
    let allowedBy: string | undefined;
    const errors: string[] = [];
    this.visitRulesFor(a.user, a.namespace, (source, rule, err) => {
      if (rule && ruleAllows(a, rule)) {
        allowedBy = source;
        return false;
      }
      if (err) errors.push(err);
      return true;
    });
    if (allowedBy !== undefined) return { allowed: true, reason: `RBAC: allowed by ${allowedBy}` };
    // utilerrors.NewAggregate: one error is its message, several are "[a, b]".
    const aggregate = errors.length === 1 ? errors[0]! : `[${errors.join(', ')}]`;
    return { allowed: false, reason: errors.length > 0 ? `RBAC: ${aggregate}` : '' };
  }
}
