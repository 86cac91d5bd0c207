"""The published Python SDK's HTTP calls (craft-ai-sdk 0.71), in the Python standard library only.

Written from the facts of the SDK's calls (its paths, headers, bodies, the keys it reads and how it
turns answers into results or an SdkException), so that the platform's contract suite can run them
on any machine with python3 and no package. Each method sends what the SDK sends and reads exactly
what the SDK reads: a key the SDK indexes is indexed here (a missing one raises KeyError, as the
SDK would crash), a key it reads with .get is read with .get.

Used by platform/sdk-contract.test.ts through sdk_scenario.py; not a client for people.
"""

import base64
import json
import os
import time
import urllib.error
import urllib.parse
import urllib.request

SDK_VERSION = "0.71.0rc1"
DEFAULT_CONTROL_URL = "https://mlops-platform.craft.ai"
ACCESS_TOKEN_MARGIN_S = 120


class SdkException(Exception):
    """What the SDK raises: shown as "[name] message" (or "[status] message"), then the request id."""

    def __init__(self, message, status_code=None, name=None, request_id=None, additional_data=None):
        super().__init__(message)
        self.message = message
        self.status_code = status_code
        self.name = name
        self.request_id = request_id
        self.additional_data = additional_data

    def __str__(self):
        text = ""
        if self.name:
            text += f"[{self.name}] "
        elif self.status_code is not None:
            text += f"[{self.status_code}] "
        if self.status_code in (502, 504):
            text += "The platform is currently unreachable. Please try again later.\n"
        text += self.message
        if self.additional_data:
            text += f"\nAdditional data: {self.additional_data!r}"
        if self.request_id and self.request_id != "NO_REQUEST_ID":
            text += f"\nRequest id: {self.request_id}"
        return text


class Answer:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.body = body

    @property
    def text(self):
        return self.body.decode("utf-8", errors="replace")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


def _send(method, url, headers, body=None, follow_redirects=True):
    data = None
    headers = dict(headers)
    if body is not None:
        data = json.dumps(body).encode("utf-8")
        headers["Content-Type"] = "application/json"
    request = urllib.request.Request(url, data=data, method=method, headers=headers)
    opener = urllib.request.build_opener() if follow_redirects else urllib.request.build_opener(_NoRedirect)
    try:
        with opener.open(request, timeout=60) as response:
            return Answer(response.status, response.headers, response.read())
    except urllib.error.HTTPError as error:
        return Answer(error.code, error.headers, error.read())
    except urllib.error.URLError as error:
        raise SdkException("Unable to perform the request", name="RequestError") from error


def handle_answer(answer):
    """The SDK's common answer handling: a result, None, bytes, or an SdkException built from the error body."""
    if 200 <= answer.status < 400:
        content_type = answer.headers.get("content-type", "")
        if "application/octet-stream" in content_type or "text/csv" in content_type:
            return answer.body
        if answer.status == 204 or answer.text == "OK":
            return None
        try:
            return json.loads(answer.text)
        except ValueError:
            raise SdkException(f"Unable to decode response data into json. Data being:\n'{answer.text}'", status_code=answer.status)
    try:
        error = json.loads(answer.text)
    except ValueError:
        raise SdkException(f"The server returned an invalid response content. Content being:\n'{answer.text}'", status_code=answer.status)
    # The SDK reads the error body with .get: a JSON array or string there is an AttributeError, not an SdkException.
    raise SdkException(
        error.get("message", "The server returned an error"),
        status_code=answer.status,
        name=error.get("name"),
        request_id=error.get("request_id"),
        additional_data=error.get("additional_data"),
    )


def _b64json(part):
    padded = part + "=" * (-len(part) % 4)
    value = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
    if not isinstance(value, dict):
        raise ValueError("Invalid payload string: must be a json object")
    return value


def _strip(mapping, keys):
    return {key: value for key, value in mapping.items() if key not in keys}


class CraftAiSdk:
    def __init__(self, sdk_token=None, environment_url=None, control_url=None):
        self.refresh_token = sdk_token or os.environ.get("CRAFT_AI_SDK_TOKEN")
        if not self.refresh_token:
            raise ValueError('Parameter "sdk_token" should be set, since "CRAFT_AI_SDK_TOKEN" environment variable is not defined.')
        environment_url = environment_url or os.environ.get("CRAFT_AI_ENVIRONMENT_URL")
        if not environment_url:
            raise ValueError('Parameter "environment_url" should be set, since "CRAFT_AI_ENVIRONMENT_URL" environment variable is not defined.')
        control_url = control_url or os.environ.get("CRAFT_AI_CONTROL_URL") or DEFAULT_CONTROL_URL
        self.base_environment_url = environment_url.rstrip("/")
        self.base_environment_api_url = self.base_environment_url + "/api/v1"
        self.base_control_url = control_url.rstrip("/")
        self.base_control_api_url = self.base_control_url + "/api/v1"
        self.headers = {"craft-ai-client": f"craft-ai-sdk@{SDK_VERSION}"}
        # Told each 307 a long poll ends in (a test finishes the execution once one was seen, whatever the machine's speed).
        self.on_redirect = lambda count: None
        self.access_token = None
        self.access_token_expires_at = 0.0
        # What the suite checks: every request, as (method, url, Authorization sent?).
        self.sent = []

    # ——— the token ———

    def _refresh(self):
        asked_at = time.time()
        url = f"{self.base_control_api_url}/auth/refresh"
        self.sent.append(("POST", url, False))
        answer = handle_answer(_send("POST", url, self.headers, {"refresh_token": self.refresh_token}))
        token = answer["access_token"]
        parts = token.split(".")
        if len(parts) != 3:
            raise ValueError("Not enough segments")
        _b64json(parts[0])
        claims = _b64json(parts[1])
        lifetime = claims["exp"] - claims["iat"]
        self.access_token = token
        self.access_token_lifetime = lifetime
        self.access_token_expires_at = asked_at + lifetime

    def _authenticated(self, method, url, body=None, follow_redirects=True, raw=False):
        if self.access_token is None or time.time() > self.access_token_expires_at - ACCESS_TOKEN_MARGIN_S:
            self._refresh()
        self.sent.append((method, url, True))
        answer = _send(method, url, {**self.headers, "Authorization": f"Bearer {self.access_token}"}, body, follow_redirects)
        if answer.status == 401:
            self.access_token = None  # the next call exchanges the token again; this one fails
        return answer if raw else handle_answer(answer)

    def _get(self, url, **options):
        return self._authenticated("GET", url, **options)

    def _post(self, url, body=None, **options):
        return self._authenticated("POST", url, body, **options)

    # ——— users ———

    def who_am_i(self):
        me = self._get(f"{self.base_control_api_url}/users/me")
        return {key: value for key, value in me.items() if key in ("id", "name", "email")}

    def get_user(self, user_id):
        return self._get(f"{self.base_control_api_url}/users/{user_id}")

    # ——— environment (an internal helper of the SDK, called without a token) ———

    def get_environment_id(self):
        url = f"{self.base_environment_api_url}/environment-info"
        self.sent.append(("GET", url, False))
        answer = _send("GET", url, self.headers)
        handle_answer(answer)
        return json.loads(answer.text).get("environment_id")

    def get_vector_database_credentials(self):
        environment_id = self.get_environment_id()
        credentials = self._get(f"{self.base_control_api_url}/environments/{environment_id}/vector-database")
        return {"vector_database_url": credentials["vector_database_url"], "vector_database_token": credentials["vector_database_token"]}

    # ——— pipeline executions ———

    def _input(self, item, value):
        mapping = _strip(item["mapping_value"], ("is_required", "default_value", "run_input_name"))
        return {"pipeline_input_name": item["pipeline_input_name"], "data_type": item["data_type"], **mapping, "source": item["mapping_type"], "value": value}

    def _output(self, item, value):
        mapping = _strip(item["mapping_value"], ("is_required", "default_value", "run_output_name"))
        return {"pipeline_output_name": item["pipeline_output_name"], "data_type": item["data_type"], **mapping, "destination": item["mapping_type"], "value": value}

    def get_pipeline_execution(self, execution_id):
        execution = self._get(f"{self.base_environment_api_url}/executions/{execution_id}")
        inputs = []
        for item in execution["inputs"]:
            value = item.get("value", None)
            if item["data_type"] == "file" and item["mapping_type"] not in ("is_null", "datastore"):
                value = self._get(f"{self.base_environment_api_url}/executions/{execution_id}/inputs/{item['pipeline_input_name']}")
            inputs.append(self._input(item, value))
        outputs = []
        for item in execution["outputs"]:
            value = item.get("value", None)
            if item["data_type"] == "file" and item["mapping_type"] != "is_null":
                value = self._get(f"{self.base_environment_api_url}/executions/{execution_id}/outputs/{item['pipeline_output_name']}")
            outputs.append(self._output(item, value))
        execution["inputs"] = inputs
        execution["outputs"] = outputs
        return execution

    def get_pipeline_execution_input(self, execution_id, input_name):
        execution = self._get(f"{self.base_environment_api_url}/executions/{execution_id}?include_io_values=false")
        found = [item for item in execution["inputs"] if item["pipeline_input_name"] == input_name]
        if not found:
            raise SdkException(f"Cannot find input {input_name} for execution {execution_id}")
        value = self._get(f"{self.base_environment_api_url}/executions/{execution_id}/inputs/{input_name}")
        return self._input(found[0], value)

    def get_pipeline_execution_output(self, execution_id, output_name):
        execution = self._get(f"{self.base_environment_api_url}/executions/{execution_id}?include_io_values=false")
        found = [item for item in execution["outputs"] if item["pipeline_output_name"] == output_name]
        if not found:
            raise SdkException(f"Cannot find output {output_name} for execution {execution_id}")
        value = self._get(f"{self.base_environment_api_url}/executions/{execution_id}/outputs/{output_name}")
        return self._output(found[0], value)

    def retrieve_pipeline_execution_outputs(self, execution_id):
        url = f"{self.base_environment_api_url}/executions/{execution_id}/outputs?wait_for_completion=true"
        self.redirects = 0
        answer = self._get(url, follow_redirects=False, raw=True)
        while answer.status == 307:  # asked again at once, Location unread
            self.redirects += 1
            self.on_redirect(self.redirects)
            answer = self._get(url, follow_redirects=False, raw=True)
        result = handle_answer(answer)
        outputs = {}
        for item in result["outputs"]:
            value = item.get("value", None)
            name = item["pipeline_output_name"]
            if item["data_type"] == "file" and item["mapping_type"] not in ("is_null", "datastore"):
                value = self._get(f"{self.base_environment_api_url}/executions/{execution_id}/outputs/{name}")
            outputs[name] = value
        return {"execution_id": execution_id, "outputs": outputs}

    def list_pipeline_executions(self, pipeline_name):
        return self._get(f"{self.base_environment_api_url}/pipelines/{pipeline_name}/executions")

    def get_pipeline_execution_logs(self, execution_id, from_datetime=None, to_datetime=None, limit=None):
        body = {}
        if from_datetime is not None:
            body["from"] = int(from_datetime.timestamp() * 1000)
        if to_datetime is not None:
            body["to"] = int(to_datetime.timestamp() * 1000)
        if limit is not None:
            body["limit"] = limit
        logs = self._post(f"{self.base_environment_api_url}/executions/{execution_id}/logs", body)
        return [] if len(logs) == 0 else logs[0]

    def delete_pipeline_execution(self, execution_id):
        return self._authenticated("DELETE", f"{self.base_environment_api_url}/executions/{execution_id}")

    # ——— deployments ———

    def list_deployments(self):
        return self._get(f"{self.base_environment_api_url}/deployments")

    def get_deployment(self, deployment_name, wait_for_completion=False, timeout_s=None):
        url = f"{self.base_environment_api_url}/deployments/{deployment_name}"
        if wait_for_completion:
            started = time.time()
            while True:
                deployment = self._get(url + "?wait_for_completion=true", follow_redirects=False)
                status = deployment.get("status")
                if status == "creation_failed":
                    raise SdkException("Deployment creation failed", name="CreationFailedException")
                if status in ("up", "disabled", "standby"):
                    break
                if timeout_s is not None and time.time() - started > timeout_s:
                    raise SdkException("The deployment was not ready in time", name="TimeoutException")
        else:
            deployment = self._get(url)
        if deployment is not None:
            latest = self._get(f"{url}/executions/latest")
            deployment["last_execution_id"] = None if latest is None else latest.get("execution_id")
            deployment.pop("is_archived", None)
            deployment.pop("id", None)
            if isinstance(deployment.get("pipeline"), dict):
                deployment["pipeline"].pop("id", None)
        return deployment

    # ——— calls outside the platform's scope (each should be a clean SdkException) ———

    def list_pipelines(self):
        return self._get(f"{self.base_environment_api_url}/pipelines")

    def run_pipeline(self, pipeline_name, inputs=None):
        pipeline = self._get(f"{self.base_environment_api_url}/pipelines/{pipeline_name}")
        return pipeline["parameters"]["inputs"]

    def get_pipeline(self, pipeline_name):
        pipeline = self._get(f"{self.base_environment_api_url}/pipelines/{pipeline_name}")
        self._get(f"{self.base_environment_api_url}/pipelines/{pipeline_name}/executions/latest")
        return pipeline

    def list_steps(self):
        return self._get(f"{self.base_environment_api_url}/steps")

    def list_data_store_objects(self, folder_path=""):
        return self._get(f"{self.base_environment_api_url}/data-store/list?folder_path={urllib.parse.quote(folder_path)}")["items"]

    def list_environment_variables(self):
        return self._get(f"{self.base_environment_api_url}/environment-variables")

    def get_metrics(self, name=None):
        return self._get(f"{self.base_environment_api_url}/metrics/single-value")["metrics"]

    def get_resource_metrics(self, start, end):
        return self._get(f"{self.base_environment_api_url}/resource-metrics?start={start}&end={end}&download=False")

    def create_deployment(self, pipeline_name, deployment_name):
        return self._post(f"{self.base_environment_api_url}/endpoints", {"pipeline_name": pipeline_name, "name": deployment_name}, follow_redirects=False)

    def update_deployment(self, deployment_name, is_enabled):
        return self._authenticated("PATCH", f"{self.base_environment_api_url}/deployments/{deployment_name}", {"is_enabled": is_enabled}, follow_redirects=False)

    def delete_deployment(self, deployment_name):
        return self._authenticated("DELETE", f"{self.base_environment_api_url}/deployments/{deployment_name}")

    def get_deployment_logs(self, deployment_name):
        return self._post(f"{self.base_environment_api_url}/deployments/{deployment_name}/logs", {})

    def trigger_endpoint(self, deployment_name, inputs=None):
        answer = self._post(f"{self.base_environment_api_url}/deployments/{deployment_name}/executions", inputs or {}, follow_redirects=False)
        return answer.get("execution_id")

    def trigger_endpoint_with_token(self, deployment_name, endpoint_token, inputs=None):
        # The SDK reads the endpoint's path from the deployment (.get: "" when it has none), then posts there.
        deployment = self.get_deployment(deployment_name)
        if deployment.get("execution_rule", "") != "endpoint":
            raise ValueError(f"Deployment {deployment_name} is not an endpoint deployment")
        url = f"{self.base_environment_url}/endpoints/{deployment.get('endpoint_url_path', '')}"
        self.sent.append(("POST", url, False))
        return handle_answer(_send("POST", url, {**self.headers, "Authorization": f"EndpointToken {endpoint_token}"}, inputs or {}))
