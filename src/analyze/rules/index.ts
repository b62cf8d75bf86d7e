/** Every rule tcpcheck runs. Order here does not matter: {@link orderRules} follows each rule's `needs`. */
import type { Rule } from '../rule.js';
import { acceptQueueBacklog } from './accept-queue-backlog.js';
import { acceptQueueFull } from './accept-queue-full.js';
import { captureFinUnanswered } from './capture-fin-unanswered.js';
import { captureHandshakeRetransmits } from './capture-handshake-retransmits.js';
import { captureImmediateClose } from './capture-immediate-close.js';
import { closeWaitLeak } from './close-wait-leak.js';
import { closeWaitUnaccepted } from './close-wait-unaccepted.js';
import { closeWaitUnread } from './close-wait-unread.js';
import { collectionGap } from './collection-gap.js';
import { conntrackNearMax } from './conntrack-near-max.js';
import { cpuThrottling } from './cpu-throttling.js';
import { kubeProxyNodeportTrap } from './kube-proxy-nodeport-trap.js';
import { kubeProxyRulesMissing } from './kube-proxy-rules-missing.js';
import { listenOverflow } from './listen-overflow.js';
import { nodeportLocalPolicy } from './nodeport-local-policy.js';
import { outputTampered } from './output-tampered.js';
import { ownerNeverAccepts } from './owner-never-accepts.js';
import { ownerSyscallProfile } from './owner-syscall-profile.js';
import { retransmissionRate } from './retransmission-rate.js';
import { socketMemoryPressure } from './socket-memory-pressure.js';
import { somaxconnLow } from './somaxconn-low.js';
import { synRecvStuck } from './syn-recv-stuck.js';
import { sysctlAudit } from './sysctl-audit.js';
import { timeWaitPressure } from './time-wait-pressure.js';

export const RULES: readonly Rule[] = [
  kubeProxyNodeportTrap,
  kubeProxyRulesMissing,
  nodeportLocalPolicy,
  acceptQueueFull,
  acceptQueueBacklog,
  listenOverflow,
  synRecvStuck,
  closeWaitLeak,
  closeWaitUnread,
  closeWaitUnaccepted,
  somaxconnLow,
  sysctlAudit,
  timeWaitPressure,
  conntrackNearMax,
  socketMemoryPressure,
  retransmissionRate,
  collectionGap,
  outputTampered,
  cpuThrottling,
  ownerNeverAccepts,
  ownerSyscallProfile,
  captureHandshakeRetransmits,
  captureImmediateClose,
  captureFinUnanswered,
];
