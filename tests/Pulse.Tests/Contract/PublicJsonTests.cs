using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Extensions.Options;
using Pulse.Api.Eligibility;
using Pulse.Api.Operations;
using Pulse.Api.Privacy;
using Pulse.Api.Responses;
using Pulse.Api.Surveys;
using Pulse.Tests.Support;

namespace Pulse.Tests.Contract;

/// <summary>
/// The public bodies and answers are (de)serialized from source-generated metadata (<see cref="PublicJson"/>,
/// decisions H2): the JSON must be byte for byte what the reflection resolver wrote with the same
/// options — field names, nulls left out or written, enums, dates — and bodies must read the same.
/// </summary>
public sealed class PublicJsonTests
{
    PulseFactory _app = null!;
    JsonSerializerOptions _api = null!;
    JsonSerializerOptions _reflection = null!;

    [OneTimeSetUp]
    public void Start()
    {
        _app = new PulseFactory();
        _api = _app.Services.GetRequiredService<IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions>>().Value.SerializerOptions;
        _reflection = new JsonSerializerOptions(_api) { TypeInfoResolver = new DefaultJsonTypeInfoResolver() };
    }

    [OneTimeTearDown]
    public void Stop() => _app.Dispose();

    [Test]
    public void TheApiReadsAndWritesThePublicTypes_FromTheGeneratedMetadata()
    {
        var chain = _api.TypeInfoResolverChain.ToList();
        Assert.That(chain.IndexOf(PublicJson.Default), Is.GreaterThanOrEqualTo(0).And.LessThan(chain.FindIndex(r => r is DefaultJsonTypeInfoResolver)),
            "ahead of the reflection resolver");
        foreach (var type in new[] { typeof(EligibilityRequest), typeof(EligibilityResponse), typeof(ResponsePost), typeof(SavedResponse), typeof(DeclinePost), typeof(OptOutPost) })
            Assert.That(_api.GetTypeInfo(type).OriginatingResolver, Is.SameAs(PublicJson.Default), type.Name);
    }

    static IEnumerable<object> Answers()
    {
        yield return new EligibilityResponse(false, Reasons.TooNew);
        var survey = SurveyDefaults.New("ws_json", 0) with { Id = "srv_json" };
        yield return new EligibilityResponse(true, "eligible", "dt_token", EligibilityService.Localize(survey, "de", "Acme"));
        yield return new SavedResponse(7, 9, NpsCategory.Promoter, null, null, DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_123),
            DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_456));
        yield return new SavedResponse(8, 3, NpsCategory.Detractor, "Zu langsam \"heute\" <b>", new Dictionary<string, string> { ["why"] = "ü" },
            DateTimeOffset.FromUnixTimeMilliseconds(0), DateTimeOffset.FromUnixTimeMilliseconds(1))
        { Reasons = ["price", "other"], ReasonOther = "Support" };
    }

    [TestCaseSource(nameof(Answers))]
    public void Answers_AreWrittenAsTheReflectionResolverWroteThem(object answer)
    {
        var generated = JsonSerializer.Serialize(answer, answer.GetType(), _api);
        var reflected = JsonSerializer.Serialize(answer, answer.GetType(), _reflection);
        Assert.That(generated, Is.EqualTo(reflected));
    }

    [TestCase(typeof(EligibilityRequest), """{"siteKey":"pk_x","user":{"id":"u1","email":"a@b.co","createdAt":"2026-01-02T03:04:05Z","traits":{"plan":"pro","seats":3,"tags":["a"],"x":null}},"userHash":"ab","event":"login","locale":"de","url":"https://a.test/x","force":false}""")]
    [TestCase(typeof(EligibilityRequest), """{"SITEKEY":"pk_x","user":{"ID":"u1"}}""")]
    [TestCase(typeof(ResponsePost), """{"displayToken":"dt_1","score":10,"comment":"ok","followUp":{"why":"fast"},"siteKey":"pk","reasons":["a",null],"reasonOther":"b"}""")]
    [TestCase(typeof(ResponsePost), """{"displayToken":"dt_1","score":null}""")]
    [TestCase(typeof(DeclinePost), """{"displayToken":"dt_1","siteKey":"pk"}""")]
    [TestCase(typeof(OptOutPost), """{"userId":"u","displayToken":null,"siteKey":"pk"}""")]
    public void Bodies_ReadAsTheReflectionResolverReadThem(Type type, string body)
    {
        var generated = JsonSerializer.Deserialize(body, type, _api);
        var reflected = JsonSerializer.Deserialize(body, type, _reflection);
        Assert.That(JsonSerializer.Serialize(generated, type, _reflection), Is.EqualTo(JsonSerializer.Serialize(reflected, type, _reflection)));
    }

    [TestCase(typeof(ResponsePost), """{"displayToken":"dt_1","score":"10"}""")]
    [TestCase(typeof(ResponsePost), """{"displayToken":"dt_1","score":1,"score":2}""")]
    [TestCase(typeof(EligibilityRequest), """{"user":{"id":"a","traits":{"plan":"x","plan":"y"}}}""")]
    [TestCase(typeof(EligibilityRequest), """{"force":"true"}""")]
    public void BadBodies_AreRefusedAsBefore(Type type, string body)
    {
        Assert.Throws<JsonException>(() => JsonSerializer.Deserialize(body, type, _reflection), "reflection");
        Assert.Throws<JsonException>(() => JsonSerializer.Deserialize(body, type, _api), "generated");
    }
}
