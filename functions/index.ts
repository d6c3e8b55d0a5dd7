// Entry point of the Functions app (package.json "main"): importing a module registers its functions.
export {};
