"""No tables: operations reads the apps' models. The module exists so that Django sends this app's post_migrate
signal, which core.roles waits for (from the last installed app) before syncing the roles' permissions."""
