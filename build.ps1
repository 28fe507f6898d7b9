# Thin wrapper over the dotnet CLI for PowerShell users: ./build.ps1 build|test|run|bench
param([ValidateSet('build', 'test', 'run', 'bench')][string]$Task = 'build')
$ErrorActionPreference = 'Stop'
Set-Location $PSScriptRoot
switch ($Task) {
    'build' { dotnet build }
    'test'  { dotnet test }
    'run'   { dotnet run --project api }
    'bench' { dotnet run -c Release --project bench }
}
exit $LASTEXITCODE
