variable "environments" {
  description = "Deploy environments: the branch GitHub Actions may deploy from, and whether it administers the account."
  type = map(object({
    branch = string
    admin  = bool
  }))
}

variable "ops_policy_arns" {
  description = "Managed policies of the ops automation role."
  type        = list(string)
  default     = []
}

variable "slack_token" {
  type      = string
  sensitive = true
}
