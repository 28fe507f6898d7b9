using System.Text.Json;
using Bogus;
using Pulse.Api.Localization;
using Pulse.Api.Surveys;

namespace Pulse.Tests.Fakers;

/// <summary>Valid survey bodies for <c>POST /v1/surveys</c>: every field set, within its limits.</summary>
public sealed class SurveyInputFaker : Faker<SurveyInput>
{
    public SurveyInputFaker(int seed)
    {
        UseSeed(seed);
        CustomInstantiator(f => new SurveyInput
        {
            Name = f.Commerce.ProductName() + " NPS",
            Kind = "nps",
            Active = f.Random.Bool(),
            Priority = f.Random.Int(-10, 10),
            Trigger = f.Random.Bool() ? null : f.PickRandom("support_case_closed", "invoice.paid", "onboarding-done"),
            FirstSurveyDelayDays = f.Random.Int(0, 60),
            ResurveyDays = f.Random.Int(0, 180),
            DeclineCooldownDays = f.Random.Int(0, 60),
            ReshowAfterIgnoredDays = f.Random.Int(0, 7),
            SamplePercent = Math.Round(f.Random.Double(0, 100), 2),
            DailyCap = f.Random.Bool() ? null : f.Random.Int(0, 500),
            Targeting =
            [
                new TargetingCondition("plan", "in", null, f.PickRandom(EndUserFaker.Plans, 2).Select(p => JsonSerializer.SerializeToElement(p)).ToList()),
                new TargetingCondition("arr", "gte", JsonSerializer.SerializeToElement(f.Random.Int(0, 50_000))),
                new TargetingCondition("role", "neq", JsonSerializer.SerializeToElement(f.PickRandom(EndUserFaker.Roles))),
                new TargetingCondition("csm", "exists"),
            ],
            ExcludeEmailDomains = [f.Internet.DomainName()],
            Texts = new Dictionary<string, TextOverrides?>
            {
                [f.PickRandom(SurveyCatalog.Codes.ToArray())] = new(Question: f.Lorem.Sentence() + " {product}?",
                    FollowUp: new FollowUpTexts(Detractor: f.Lorem.Sentence())),
            },
            Theme = new ThemeInput(f.Internet.Color(), f.PickRandom(SurveyValidation.Positions.ToArray())),
        });
    }
}
