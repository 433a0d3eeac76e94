// Package deploycheck holds the tests that keep the deployment descriptors
// (s.yaml, template.yaml) honest against the code: function directories,
// handlers, environment variables read by each function's config struct,
// secrets, the RAM actions each function's SDK calls need, cron
// expressions, the fc3 component schema, and the SLS index shared by the
// events, the alert rules and the dashboard. It has no code of its own:
// everything is in its tests, which read the repository.
package deploycheck
