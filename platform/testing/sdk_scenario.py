"""Runs the SDK's calls (craft_sdk_stdlib.py) against a platform and prints what each gave, as JSON.

    python3 sdk_scenario.py <scenario> < facts.json

The platform and the token come from CRAFT_AI_ENVIRONMENT_URL, CRAFT_AI_SDK_TOKEN and
CRAFT_AI_CONTROL_URL, as a user's script gets them from `craft exec` (CraftAiSdk() with no argument).
Each call prints {"ok": true, "result": …} or {"ok": false, "type", "error": str(exception), "status_code", "name"}.
"""

import datetime
import json
import sys

from craft_sdk_stdlib import CraftAiSdk, SdkException


def run(call):
    try:
        return {"ok": True, "result": call()}
    except SdkException as error:
        return {"ok": False, "type": "SdkException", "error": str(error), "status_code": error.status_code, "name": error.name}
    except Exception as error:  # a crash of the SDK: what the platform must never cause
        return {"ok": False, "type": type(error).__name__, "error": repr(error)}


def main():
    scenario = sys.argv[1]
    facts = json.load(sys.stdin)
    sdk = CraftAiSdk()
    results = {}
    if scenario == "in-scope":
        execution_id = facts["execution_id"]
        at = lambda iso: datetime.datetime.fromisoformat(iso.replace("Z", "+00:00"))
        results["who_am_i"] = run(sdk.who_am_i)
        results["get_user"] = run(lambda: sdk.get_user(facts["user_id"]))
        results["get_environment_id"] = run(sdk.get_environment_id)
        results["get_pipeline_execution"] = run(lambda: sdk.get_pipeline_execution(execution_id))
        results["get_pipeline_execution_input"] = run(lambda: sdk.get_pipeline_execution_input(execution_id, facts["input_name"]))
        results["get_pipeline_execution_input_unknown"] = run(lambda: sdk.get_pipeline_execution_input(execution_id, "no_such_input"))
        results["get_pipeline_execution_output"] = run(lambda: sdk.get_pipeline_execution_output(execution_id, facts["output_name"]))
        results["retrieve_pipeline_execution_outputs"] = run(lambda: sdk.retrieve_pipeline_execution_outputs(execution_id))
        results["list_pipeline_executions"] = run(lambda: sdk.list_pipeline_executions(facts["pipeline_name"]))
        results["get_pipeline_execution_logs"] = run(lambda: sdk.get_pipeline_execution_logs(execution_id))
        results["get_pipeline_execution_logs_window"] = run(
            lambda: sdk.get_pipeline_execution_logs(execution_id, from_datetime=at(facts["logs_from"]), to_datetime=at(facts["logs_to"]), limit=10)
        )
        results["get_pipeline_execution_unknown"] = run(lambda: sdk.get_pipeline_execution("no-such-execution"))
        results["list_deployments"] = run(sdk.list_deployments)
        for name in facts["deployments"]:
            results[f"get_deployment {name}"] = run(lambda: sdk.get_deployment(name))
            results[f"get_deployment {name} waiting"] = run(lambda: sdk.get_deployment(name, wait_for_completion=True, timeout_s=30))
        results["get_deployment_unknown"] = run(lambda: sdk.get_deployment("no-such-deployment"))
        results["token_lifetime_s"] = {"ok": True, "result": sdk.access_token_lifetime}
    elif scenario == "outputs-when-done":
        # The platform holds the answer until the execution ends (or says 307: ask again).
        sdk.on_redirect = lambda count: print(f"redirected {count}", file=sys.stderr, flush=True)
        results["retrieve_pipeline_execution_outputs"] = run(lambda: sdk.retrieve_pipeline_execution_outputs(facts["execution_id"]))
        results["redirects"] = {"ok": True, "result": sdk.redirects}
    elif scenario == "out-of-scope":
        calls = {
            "list_pipelines": sdk.list_pipelines,
            "get_pipeline": lambda: sdk.get_pipeline("train"),
            "run_pipeline": lambda: sdk.run_pipeline("train", {"epochs": 3}),
            "list_steps": sdk.list_steps,
            "list_data_store_objects": lambda: sdk.list_data_store_objects("models/"),
            "list_environment_variables": sdk.list_environment_variables,
            "get_metrics": sdk.get_metrics,
            "get_resource_metrics": lambda: sdk.get_resource_metrics(0, 1000),
            "get_vector_database_credentials": sdk.get_vector_database_credentials,
            "create_deployment": lambda: sdk.create_deployment("train", "new-endpoint"),
            "update_deployment": lambda: sdk.update_deployment(facts["deployment"], False),
            "delete_deployment": lambda: sdk.delete_deployment(facts["deployment"]),
            "get_deployment_logs": lambda: sdk.get_deployment_logs(facts["deployment"]),
            "trigger_endpoint": lambda: sdk.trigger_endpoint(facts["deployment"], {"x": 1}),
            "trigger_endpoint_with_token": lambda: sdk.trigger_endpoint_with_token(facts["deployment"], "some-endpoint-token", {"x": 1}),
            "delete_pipeline_execution": lambda: sdk.delete_pipeline_execution(facts["execution_id"]),
        }
        for name, call in calls.items():
            results[name] = run(call)
    elif scenario == "signed-out":
        results["who_am_i"] = run(sdk.who_am_i)
    results["sent"] = {"ok": True, "result": sdk.sent}
    json.dump(results, sys.stdout)


if __name__ == "__main__":
    main()
