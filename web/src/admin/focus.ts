import { nextTick } from 'vue';

/** After a failed save, take keyboard and screen-reader users to the first thing to fix. */
export async function focusFirstProblem(form: HTMLFormElement | undefined): Promise<void> {
  await nextTick();
  const target = form?.querySelector<HTMLElement>('[role="alert"], [aria-invalid="true"]');
  if (!target) return;
  if (target.getAttribute('role') === 'alert') target.tabIndex = -1;
  target.focus();
}
