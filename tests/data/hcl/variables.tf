variable "env" {
  type        = string
  description = "Deployment environment (dev, stage, prod)"
  default     = "dev"
}

variable "replicas" {
  type    = number
  default = 3
}

variable "ratio" {
  default = 0.75
}

variable "enabled" {
  type    = bool
  default = true
}

variable "admins" {
  type    = list(string)
  default = ["alice@example.com", "bob@example.com"]
}

variable "service_accounts" {
  type = map(object({
    roles = list(string)
    ttl   = number
  }))
  default = {
    ci      = { roles = ["roles/viewer"], ttl = 3600 }
    "batch" = { roles = [], ttl = 86400 }
  }
  sensitive = false

  validation {
    condition     = alltrue([for k, v in var.service_accounts : v.ttl <= 86400])
    error_message = "TTL must be at most one day."
  }
}

locals {
  common_tags = merge(var.extra_tags, {
    ManagedBy   = "terraform"
    Environment = var.env
  })
  name_prefix = "acme-${var.env}"
  admin_upper = [for a in var.admins : upper(a)]
  sa_by_name  = { for name, sa in var.service_accounts : name => sa.roles if length(sa.roles) > 0 }
  first_admin = var.admins[0]
  role_arns   = aws_iam_role.workers[*].arn
  is_prod     = var.env == "prod" ? true : false
  greeting    = "Hello, %{if var.enabled}enabled%{else}disabled%{endif} ${local.name_prefix}!"
  literal     = "cost is $${price} and 100%% sure, %%{not a directive}"
  escapes     = "tab\there \"quoted\" back\\slash \u00e9t\u00e9"
  unicode     = "Zürich → 東京 🚀"
  negative    = -42
  big         = 1e6
}
