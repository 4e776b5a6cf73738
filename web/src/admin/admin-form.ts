import { reactive, ref, type Ref } from 'vue';
import { noErrors, readErrors } from './errors';
import { focusFirstProblem } from './focus';
import type { Person } from './format';

/** One text box of an admin form: the input path the server names in its errors, and its label. */
export interface FieldSpec<F extends string> {
  path: F;
  label: string;
  type?: 'text' | 'email' | 'tel' | 'number';
}

type PersonField = 'input.code' | 'input.firstName' | 'input.lastName';

/** The boxes every person has; the code only when creating (it cannot change). */
export const personFields = (editing: boolean): Array<FieldSpec<PersonField>> => [
  ...(editing ? [] : [{ path: 'input.code' as const, label: 'Code (optional, generated when empty)' }]),
  { path: 'input.firstName', label: 'First name' },
  { path: 'input.lastName', label: 'Last name' },
];

export const personValues = (person: Person | undefined): Record<PersonField, string> => ({
  'input.code': person?.code ?? '',
  'input.firstName': person?.firstName ?? '',
  'input.lastName': person?.lastName ?? '',
});

/**
 * What both admin forms share: the text of each box, the server's errors sorted to their boxes, and a
 * save that shows them and takes the focus to the first. `busy` is the mutations' loading state.
 */
export function useAdminForm<F extends string>(initial: Record<F, string>, busy: Ref<boolean>) {
  const form = reactive(initial);
  const errors = ref(noErrors());
  const formEl = ref<HTMLFormElement>();
  const fields = Object.keys(initial);

  /** Runs `send`, which resolves to the saved code; on failure shows why and resolves to undefined. */
  async function save(send: () => Promise<string | undefined>): Promise<string | undefined> {
    if (busy.value) return undefined;
    errors.value = noErrors();
    try {
      return await send();
    } catch (err) {
      errors.value = readErrors(err, fields);
      await focusFirstProblem(formEl.value);
      return undefined;
    }
  }

  /** FieldBoxes' `change`: the box's new text. */
  const setField = (path: F, value: string) => {
    Object.assign(form, { [path]: value }); // indexing Vue's Reactive<Record<F, …>> by a generic F does not type-check
  };

  return { form, errors, formEl, save, setField };
}
