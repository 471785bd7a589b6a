resource "aws_connect_user" "billing_agent" {
  instance_id        = "a1b2c3d4-0000-1111-2222-333344445555"
  name               = "billing_agent"
  password           = "Vq7!rTz2#LmWp9xK"
  routing_profile_id = "routing-profile-id"
  security_profile_ids = ["security-profile-id"]
  phone_config {
    phone_type = "SOFT_PHONE"
  }
}
