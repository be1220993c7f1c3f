using SharpGan.Cli;

return CliApp.Run(args);
