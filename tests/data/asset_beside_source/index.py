def handler(event, context):
    return "beside the source"
