// The Users table's page size, one place for the screen and the browser tests that count its rows.
export const PAGE_SIZE = 20;
