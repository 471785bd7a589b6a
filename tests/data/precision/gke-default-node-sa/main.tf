provider "google" {
  project = "shop-demo"
  region  = "us-central1"
}

resource "google_container_cluster" "shop" {
  name             = "shop"
  location         = "us-central1"
  enable_autopilot = true
}
