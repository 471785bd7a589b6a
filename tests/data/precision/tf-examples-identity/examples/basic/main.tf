provider "azurerm" {
  features {}
}

resource "azurerm_user_assigned_identity" "cluster" {
  name                = "example-cluster-identity"
  location            = "westeurope"
  resource_group_name = "example-rg"
}
