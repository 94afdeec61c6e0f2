// The asynchronous transitions whose durations the emulator hooks control
// (docs/emulator-hooks.md "Durations"), as data: checks make the ones they do
// not observe instant and lengthen the one they watch.

/** A duration of docs/emulator-hooks.md that times an asynchronous transition. */
export type TransitionName =
  | 'templateVersionRegistration'
  | 'environmentDeployment'
  | 'environmentDeletion'
  | 'serviceCreation'
  | 'serviceUpdate'
  | 'serviceDeletion';

/** Every transition, with what it times. */
export const TRANSITIONS: Readonly<Record<TransitionName, string>> = {
  templateVersionRegistration: 'template version REGISTRATION_IN_PROGRESS -> DRAFT',
  environmentDeployment: 'environment IN_PROGRESS -> SUCCEEDED (create and update)',
  environmentDeletion: 'environment DELETE_IN_PROGRESS -> gone',
  serviceCreation: 'service CREATE_IN_PROGRESS -> ACTIVE',
  serviceUpdate: 'service UPDATE_IN_PROGRESS -> ACTIVE',
  serviceDeletion: 'service DELETE_IN_PROGRESS -> gone',
};

export const TRANSITION_NAMES = Object.keys(TRANSITIONS) as TransitionName[];
