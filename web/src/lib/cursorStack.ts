/**
 * Keyset pagination in both directions. The API only gives a `next_cursor`; to go back, we
 * remember the cursor that loaded each page we went through.
 *
 *   const pages = new CursorStack();
 *   load(pages.current)            // page 1: no cursor
 *   pages.received(page.next_cursor)
 *   load(pages.forward())          // page 2
 *   load(pages.back())             // page 1 again
 *
 * Filters or sort changed? `reset()`: a cursor is only valid with the filters that made it.
 */
export class CursorStack {
  /** The cursor of every page from the first to the current one (`null` for the first). */
  private stack: (string | null)[] = [null];
  /** The `next_cursor` of the current page, once it has loaded. */
  private nextCursor: string | null = null;

  /** The cursor that loads the current page. */
  get current(): string | null {
    return this.stack[this.stack.length - 1] ?? null;
  }

  /** 1-based number of the current page. */
  get page(): number {
    return this.stack.length;
  }

  get hasPrevious(): boolean {
    return this.stack.length > 1;
  }

  get hasNext(): boolean {
    return this.nextCursor !== null;
  }

  /** Records the `next_cursor` of the page that just loaded. */
  received(nextCursor: string | null | undefined): void {
    this.nextCursor = nextCursor ?? null;
  }

  /** Moves to the next page and returns the cursor to load it with. */
  forward(): string | null {
    if (this.nextCursor === null) return this.current;
    this.stack.push(this.nextCursor);
    this.nextCursor = null;
    return this.current;
  }

  /** Moves to the previous page and returns the cursor to load it with. */
  back(): string | null {
    if (this.stack.length > 1) this.stack.pop();
    this.nextCursor = null;
    return this.current;
  }

  /** Back to the first page. */
  reset(): void {
    this.stack = [null];
    this.nextCursor = null;
  }
}
