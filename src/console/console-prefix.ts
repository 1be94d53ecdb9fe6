/** Where the console's page is served, and its JSON API below it. */
export const CONSOLE_PATH = '/console';
export const CONSOLE_API = '/console/api';
