// What the running app is allowed and configured to do, set once by its entry module (the
// operator console or the portal) and read by the shared screens.

export const appContext = {
  /** Base URL of the Temporal Web UI and its namespace (GET /console/config.json), or null. */
  temporalUiUrl: null,
  namespace: 'default',
};

export function configureApp(settings) {
  Object.assign(appContext, settings);
}
