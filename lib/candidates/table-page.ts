// How many rows the overview's candidates table renders at once (the rest are a page away).
// Here, not in the component, so the UI benchmark waits for the same number of rows.
export const CANDIDATES_PAGE_SIZE = 50;
