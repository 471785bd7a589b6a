# Production values
env      = "prod"
replicas = 5
ratio    = 0.5
enabled  = false
admins   = ["carol@example.com"]
service_accounts = {
  ci = {
    roles = ["roles/storage.admin", "roles/iam.serviceAccountUser"]
    ttl   = 900
  }
}
extra_tags = {
  Team = "data"
}
db_password = "hunter2-but-longer"
