resource "google_service_account" "integration" {
  project      = "runner-module-ci"
  account_id   = "integration-tests"
  display_name = "integration tests"
}

resource "google_service_account_key" "integration" {
  service_account_id = google_service_account.integration.id
}
