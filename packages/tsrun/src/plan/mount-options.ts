import { ATTR_OPTIONS, FLAG_OPTIONS, MOUNT_ATTR, PROPAGATION_OPTIONS, REJECTED_OPTIONS } from './mount-flags.js';
import { invalidField } from './invalid.js';
import type { PlanMount } from './plan-types.js';

/** What a mount's options decide: the plan's mount without its paths and type. */
export type ParsedMountOptions = Omit<PlanMount, 'destination' | 'source' | 'type' | 'createDir'>;

/**
 * Translates OCI mount options the way runc does: known flags to MS_*, propagation
 * to an ordered list, recursive r* options to MOUNT_ATTR_* for mount_setattr, and
 * everything else to the fs-specific data string. Later options win over earlier ones.
 */
export function parseMountOptions(options: readonly string[] | undefined, path: string): ParsedMountOptions {
  const out: ParsedMountOptions = {
    bind: false, recursive: false, flags: 0, clearFlags: 0, propagation: [], attrSet: 0, attrClr: 0, data: '',
  };
  const data: string[] = [];
  (options ?? []).forEach((opt, i) => {
    const flag = FLAG_OPTIONS[opt];
    const prop = PROPAGATION_OPTIONS[opt];
    const attr = ATTR_OPTIONS[opt];
    if (opt === 'bind' || opt === 'rbind') {
      out.bind = true;
      if (opt === 'rbind') out.recursive = true;
    } else if (opt === 'defaults') {
      return;
    } else if (flag) {
      if (flag.clear) {
        out.flags &= ~flag.flag;
        out.clearFlags |= flag.flag;
      } else {
        out.flags |= flag.flag;
        out.clearFlags &= ~flag.flag;
      }
    } else if (prop !== undefined) {
      out.propagation.push(prop);
    } else if (attr) {
      if (attr.clear) {
        out.attrClr |= attr.attr;
      } else {
        out.attrSet |= attr.attr;
        // mount_setattr(2): an access-time mode in attr_set needs MOUNT_ATTR__ATIME in attr_clr.
        if ((attr.attr & MOUNT_ATTR.ATIME_MASK) === attr.attr) out.attrClr |= MOUNT_ATTR.ATIME_MASK;
      }
    } else if (opt in REJECTED_OPTIONS) {
      throw invalidField(`${path}/${i}`, `${opt}: ${REJECTED_OPTIONS[opt]}`);
    } else {
      data.push(opt);
    }
  });
  out.data = data.join(',');
  return out;
}
