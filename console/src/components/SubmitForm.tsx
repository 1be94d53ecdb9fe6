import type { ReactNode } from 'react';

/** A form that hands its submit to `onSubmit` instead of letting the browser navigate. */
export function SubmitForm({
  onSubmit,
  className,
  children,
}: {
  onSubmit: () => void;
  className?: string;
  children: ReactNode;
}) {
  return (
    <form
      className={className}
      onSubmit={(e) => {
        e.preventDefault();
        onSubmit();
      }}
    >
      {children}
    </form>
  );
}
