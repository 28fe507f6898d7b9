using Pulse.Api.Analytics;
using Pulse.Api.Cli;
using Pulse.Api.Eligibility;
using Pulse.Api.Operations;
using Pulse.Api.Privacy;
using Pulse.Api.Responses;
using Pulse.Api.Storage;
using Pulse.Api.Surveys;
using Pulse.Api.Webhooks;
using Pulse.Api.Widget;
using Pulse.Api.Workspaces;

if (PulseCli.IsCommand(args))
    return PulseCli.Run(args, Console.Out, Console.Error);

var builder = WebApplication.CreateBuilder(args);
builder.AddPulseOperations();
builder.AddPulseStorage();
builder.AddPulseAuth();
builder.AddSurveys();
builder.AddEligibility();
builder.AddResponses();
builder.AddPulseWebhooks();
builder.AddAnalytics();
builder.AddWidget();

var app = builder.Build();
app.UsePulseOperations();
app.MapOperations();
app.MapWorkspaces();
app.MapSurveys();
app.MapEligibility();
app.MapResponses();
app.MapPrivacy();
app.MapWebhooks();
app.MapAnalytics();
app.MapWidget();
app.Run();
return 0;

/// <summary>Entry point; public so tests can host it with WebApplicationFactory.</summary>
public partial class Program;
